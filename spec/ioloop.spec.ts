import { expect } from "chai";
import { execFile } from "node:child_process";
import * as path from "node:path";
import * as sinon from "sinon";
import { IOLoop, PeriodicCallback, TimeoutError } from "../src/ioloop";
import { addLogHandler, appLog, LogRecord, setLogOutput } from "../src/log";

const IOLOOP_MODULE = path.join(__dirname, "..", "src", "ioloop.js");

/** Runs a script in a fresh node process and resolves with its stdout (rejects on a non-zero exit). */
function runNode(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["-e", script], { timeout: 5000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

/** Captures what the loop logs to appLog, keeping it off stderr meanwhile. */
function captureAppErrors(): { records: LogRecord[]; restore(): void } {
  const records: LogRecord[] = [];
  const previousOutput = setLogOutput(null);
  const remove = addLogHandler((record) => {
    if (record.logger === appLog.name) records.push(record);
  }, "error");
  return {
    records,
    restore: () => {
      remove();
      setLogOutput(previousOutput);
    },
  };
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe("IOLoop", () => {
  afterEach(() => IOLoop.clearCurrent());

  describe(".instance", () => {
    it("returns the same loop every time", () => {
      expect(IOLoop.instance()).to.equal(IOLoop.instance());
    });
  });

  describe(".current", () => {
    it("returns the process-wide instance by default", () => {
      expect(IOLoop.current()).to.equal(IOLoop.instance());
    });

    describe("when another loop was made current", () => {
      it("returns that loop until clearCurrent()", () => {
        const other = new IOLoop();
        other.makeCurrent();
        expect(IOLoop.current()).to.equal(other);
        IOLoop.clearCurrent();
        expect(IOLoop.current()).to.equal(IOLoop.instance());
      });
    });
  });

  describe("#addCallback", () => {
    it("runs callbacks on a later turn, in the order they were added, with their arguments", async () => {
      const loop = new IOLoop();
      const seen: string[] = [];
      loop.addCallback((x: string) => seen.push(x), "a");
      loop.addCallback((x: string, y: string) => seen.push(x + y), "b", "c");
      loop.addCallback(() => seen.push("d"));
      expect(seen).to.deep.equal([]);
      await nextTurn();
      expect(seen).to.deep.equal(["a", "bc", "d"]);
    });

    describe("when a callback throws", () => {
      it("logs the error and still runs the callbacks after it", async () => {
        const loop = new IOLoop();
        const errors = captureAppErrors();
        const seen: number[] = [];
        try {
          loop.addCallback(function explode() {
            throw new Error("boom");
          });
          loop.addCallback(() => seen.push(2));
          await nextTurn();
        } finally {
          errors.restore();
        }
        expect(seen).to.deep.equal([2]);
        expect(errors.records).to.have.length(1);
        expect(errors.records[0].message).to.contain("explode");
        expect((errors.records[0].error as Error).message).to.equal("boom");
      });
    });

    describe("when an async callback rejects", () => {
      it("logs the rejection instead of leaving it unhandled", async () => {
        const loop = new IOLoop();
        const errors = captureAppErrors();
        try {
          loop.addCallback(async () => {
            throw new Error("async boom");
          });
          await nextTurn();
          await nextTurn();
        } finally {
          errors.restore();
        }
        expect(errors.records.map((r) => (r.error as Error).message)).to.deep.equal(["async boom"]);
      });
    });

    it("rejects a non-function with a TypeError", () => {
      expect(() => new IOLoop().addCallback(42 as unknown as () => void)).to.throw(TypeError, /function/);
    });
  });

  describe("timeouts (with fake timers)", () => {
    let clock: sinon.SinonFakeTimers;
    let loop: IOLoop;
    beforeEach(() => {
      clock = sinon.useFakeTimers({ now: 1_700_000_000_000 });
      loop = new IOLoop();
    });
    afterEach(() => clock.restore());

    describe("#time", () => {
      it("returns seconds since the epoch as a float", () => {
        clock.tick(250);
        expect(loop.time()).to.equal(1_700_000_000.25);
      });
    });

    describe("#callLater", () => {
      it("runs the callback with its arguments once the delay has passed, not before", () => {
        const calls: number[] = [];
        loop.callLater(0.5, (n: number) => calls.push(n), 7);
        clock.tick(499);
        expect(calls).to.deep.equal([]);
        clock.tick(1);
        expect(calls).to.deep.equal([7]);
      });

      it("runs timeouts in deadline order, whatever order they were added in", () => {
        const seen: string[] = [];
        loop.callLater(0.3, () => seen.push("late"));
        loop.callLater(0.1, () => seen.push("early"));
        loop.callLater(0.2, () => seen.push("middle"));
        clock.tick(300);
        expect(seen).to.deep.equal(["early", "middle", "late"]);
      });

      it("waits the full delay when it exceeds Node's 24.8-day timer limit", () => {
        const fired = sinon.spy();
        loop.callLater(30 * 86400, fired);
        clock.tick(29 * 86400 * 1000);
        expect(fired.called).to.equal(false);
        clock.tick(86400 * 1000);
        expect(fired.calledOnce).to.equal(true);
      });

      it("rejects a delay that is not a finite number", () => {
        expect(() => loop.callLater(NaN, () => undefined)).to.throw(TypeError, /delay/);
      });
    });

    describe("#addTimeout", () => {
      it("runs at a deadline given in seconds since the epoch", () => {
        const fired = sinon.spy();
        const handle = loop.addTimeout(loop.time() + 2, fired);
        expect(handle.deadline).to.equal(1_700_000_002);
        clock.tick(1999);
        expect(fired.called).to.equal(false);
        clock.tick(1);
        expect(fired.calledOnce).to.equal(true);
      });

      it("accepts a Date deadline", () => {
        const fired = sinon.spy();
        loop.addTimeout(new Date(Date.now() + 1000), fired, "x");
        clock.tick(1000);
        expect(fired.calledOnceWith("x")).to.equal(true);
      });

      it("runs a deadline in the past on the next timer phase", () => {
        const fired = sinon.spy();
        loop.addTimeout(loop.time() - 60, fired);
        expect(fired.called).to.equal(false);
        clock.tick(0);
        expect(fired.calledOnce).to.equal(true);
      });

      it("rejects an invalid Date with a TypeError", () => {
        expect(() => loop.addTimeout(new Date("nope"), () => undefined)).to.throw(TypeError, /deadline/);
      });

      it("logs a throwing timeout callback and keeps running later timeouts", () => {
        const errors = captureAppErrors();
        const later = sinon.spy();
        try {
          loop.callLater(0.1, () => {
            throw new Error("timeout boom");
          });
          loop.callLater(0.2, later);
          clock.tick(200);
        } finally {
          errors.restore();
        }
        expect(errors.records).to.have.length(1);
        expect(later.calledOnce).to.equal(true);
      });
    });

    describe("#removeTimeout", () => {
      it("cancels a pending timeout", () => {
        const fired = sinon.spy();
        const kept = sinon.spy();
        const handle = loop.callLater(1, fired);
        loop.callLater(1, kept);
        loop.removeTimeout(handle);
        clock.tick(5000);
        expect(fired.called).to.equal(false);
        expect(kept.calledOnce).to.equal(true);
      });

      it("cancels a long timeout between its chained timers", () => {
        const fired = sinon.spy();
        const handle = loop.callLater(60 * 86400, fired);
        clock.tick(30 * 86400 * 1000);
        loop.removeTimeout(handle);
        clock.tick(60 * 86400 * 1000);
        expect(fired.called).to.equal(false);
      });

      it("is harmless for a timeout that already ran, and for null", () => {
        const handle = loop.callLater(0, () => undefined);
        clock.tick(1);
        expect(() => loop.removeTimeout(handle)).not.to.throw();
        expect(() => loop.removeTimeout(null)).not.to.throw();
      });
    });

    describe("#runSync", () => {
      it("resolves with the value of a synchronous function", async () => {
        expect(await loop.runSync(() => 42)).to.equal(42);
      });

      it("resolves with the result of an async function", async () => {
        const result = loop.runSync(async () => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          return "done";
        });
        await clock.tickAsync(100);
        expect(await result).to.equal("done");
      });

      it("rejects with the error the function throws", async () => {
        const result = loop.runSync(() => {
          throw new Error("sync failure");
        });
        await expectRejection(result, /sync failure/);
      });

      describe("when the function outlasts the timeout", () => {
        it("rejects with a TimeoutError naming the timeout", async () => {
          const result = loop.runSync(() => new Promise<void>((resolve) => setTimeout(resolve, 10_000)), 0.5);
          const settled = expectRejection(result, /0\.5 seconds/);
          await clock.tickAsync(500);
          const err = await settled;
          expect(err).to.be.instanceOf(TimeoutError);
        });
      });

      describe("when the function finishes within the timeout", () => {
        it("resolves and leaves no timer behind", async () => {
          const result = loop.runSync(async () => "quick", 5);
          expect(await result).to.equal("quick");
          expect(clock.countTimers()).to.equal(0);
        });
      });
    });
  });

  describe("#start and #stop", () => {
    it("start() resolves once stop() is called, and isRunning() tracks it", async () => {
      const loop = new IOLoop();
      const started = loop.start();
      expect(loop.isRunning()).to.equal(true);
      let resolved = false;
      void started.then(() => (resolved = true));
      await nextTurn();
      expect(resolved).to.equal(false);
      loop.stop();
      await started;
      expect(loop.isRunning()).to.equal(false);
    });

    it("throws when started twice", async () => {
      const loop = new IOLoop();
      const started = loop.start();
      try {
        expect(() => loop.start()).to.throw(/already running/);
      } finally {
        loop.stop();
      }
      await started;
    });

    it("stop() does nothing when the loop is not started", () => {
      expect(() => new IOLoop().stop()).not.to.throw();
    });

    describe("in a fresh node process", () => {
      // Both scripts start together: node start-up dominates these two tests' time.
      let startedRun: Promise<string>;
      let notStartedRun: Promise<string>;
      before(() => {
        startedRun = runNode(`
          const { IOLoop } = require(${JSON.stringify(IOLOOP_MODULE)});
          const loop = IOLoop.current();
          loop.callLater(0.05, () => { console.log("fired"); loop.stop(); });
          loop.start().then(() => console.log("resolved"));
        `);
        notStartedRun = runNode(`
          const { IOLoop } = require(${JSON.stringify(IOLOOP_MODULE)});
          IOLoop.current().callLater(5, () => console.log("fired"));
          console.log("end of script");
        `);
        // Each test awaits its own; keep an early rejection from going unhandled meanwhile.
        startedRun.catch(() => undefined);
        notStartedRun.catch(() => undefined);
      });

      it("keeps the process alive while started, so pending timeouts fire", async () => {
        expect(await startedRun).to.equal("fired\nresolved\n");
      });

      it("lets the process exit when not started, even with a timeout pending", async () => {
        expect(await notStartedRun).to.equal("end of script\n");
      });
    });
  });
});

describe("PeriodicCallback", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    clock.restore();
    sinon.restore();
  });

  /** Times of each run, in ms since the start. */
  function recorder(): { times: number[]; fn: () => void } {
    const times: number[] = [];
    return { times, fn: () => times.push(Date.now() - 1_000_000) };
  }

  it("runs every callbackTime ms, the first run one interval after start()", async () => {
    const rec = recorder();
    const pc = new PeriodicCallback(rec.fn, 100);
    pc.start();
    await clock.tickAsync(99);
    expect(rec.times).to.deep.equal([]);
    await clock.tickAsync(251);
    pc.stop();
    expect(rec.times).to.deep.equal([100, 200, 300]);
  });

  describe("when an async run overruns the next slot", () => {
    it("awaits it and skips the slots that fell due meanwhile", async () => {
      const starts: number[] = [];
      let active = 0;
      let maxActive = 0;
      const pc = new PeriodicCallback(async () => {
        starts.push(Date.now() - 1_000_000);
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((resolve) => setTimeout(resolve, 250));
        active--;
      }, 100);
      pc.start();
      await clock.tickAsync(750);
      pc.stop();
      expect(starts).to.deep.equal([100, 400, 700]);
      expect(maxActive).to.equal(1);
    });
  });

  describe("when the callback throws", () => {
    it("logs each error and keeps the schedule", async () => {
      const errors = captureAppErrors();
      let calls = 0;
      const pc = new PeriodicCallback(() => {
        calls++;
        throw new Error(`failure ${calls}`);
      }, 100);
      try {
        pc.start();
        await clock.tickAsync(300);
        pc.stop();
      } finally {
        errors.restore();
      }
      expect(calls).to.equal(3);
      expect(errors.records.map((r) => (r.error as Error).message)).to.deep.equal(["failure 1", "failure 2", "failure 3"]);
    });
  });

  describe("with jitter", () => {
    it("spreads each interval within ±jitter/2 of callbackTime", async () => {
      const random = sinon.stub(Math, "random");
      random.onCall(0).returns(0); // first interval: 100 * (1 - 0.25)
      random.onCall(1).returns(0.999999); // second: just under 100 * (1 + 0.25)
      random.returns(0.5); // then exactly 100
      const rec = recorder();
      const pc = new PeriodicCallback(rec.fn, 100, { jitter: 0.5 });
      pc.start();
      await clock.tickAsync(400);
      pc.stop();
      expect(rec.times.map(Math.round)).to.deep.equal([75, 200, 300, 400]);
    });

    it("keeps every interval of a long run within the bounds", async () => {
      const rec = recorder();
      const pc = new PeriodicCallback(rec.fn, 100, { jitter: 0.2 });
      pc.start();
      await clock.tickAsync(10_000);
      pc.stop();
      const intervals = rec.times.map((t, i) => t - (i === 0 ? 0 : rec.times[i - 1]));
      expect(intervals.length).to.be.greaterThan(80);
      for (const interval of intervals) expect(interval).to.be.within(89, 111);
      expect(new Set(intervals.map(Math.round)).size).to.be.greaterThan(1);
    });

    it("rejects jitter outside 0..1", () => {
      expect(() => new PeriodicCallback(() => undefined, 100, { jitter: 2 })).to.throw(RangeError, /jitter/);
    });
  });

  describe("#stop", () => {
    it("stops further runs and reports not running", async () => {
      const rec = recorder();
      const pc = new PeriodicCallback(rec.fn, 100);
      pc.start();
      expect(pc.isRunning()).to.equal(true);
      await clock.tickAsync(150);
      pc.stop();
      expect(pc.isRunning()).to.equal(false);
      await clock.tickAsync(1000);
      expect(rec.times).to.deep.equal([100]);
    });

    it("schedules nothing after a run that was in progress when stopped", async () => {
      let calls = 0;
      const pc = new PeriodicCallback(async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }, 100);
      pc.start();
      await clock.tickAsync(120);
      pc.stop();
      await clock.tickAsync(1000);
      expect(calls).to.equal(1);
      expect(clock.countTimers()).to.equal(0);
    });
  });

  describe("#start", () => {
    it("does nothing more when already running", async () => {
      const rec = recorder();
      const pc = new PeriodicCallback(rec.fn, 100);
      pc.start();
      pc.start();
      await clock.tickAsync(200);
      pc.stop();
      expect(rec.times).to.deep.equal([100, 200]);
    });

    it("can restart after stop, on a fresh schedule", async () => {
      const rec = recorder();
      const pc = new PeriodicCallback(rec.fn, 100);
      pc.start();
      await clock.tickAsync(150);
      pc.stop();
      await clock.tickAsync(20);
      pc.start();
      await clock.tickAsync(100);
      pc.stop();
      expect(rec.times).to.deep.equal([100, 270]);
    });
  });

  it("rejects a non-positive callbackTime", () => {
    expect(() => new PeriodicCallback(() => undefined, 0)).to.throw(RangeError, /callbackTime/);
  });
});

async function expectRejection(promise: Promise<unknown>, pattern: RegExp): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    expect((err as Error).message).to.match(pattern);
    return err as Error;
  }
  throw new Error(`expected a rejection matching ${pattern}`);
}
