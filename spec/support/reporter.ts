import Mocha from "mocha";

/**
 * The spec reporter plus one closing line, `N passed, M failed, K skipped`, that CI reads
 * to count what ran.
 */
class CountingReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const stats = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      // After the spec reporter's epilogue, which it also prints on run end.
      process.nextTick(() => console.log(`${stats.passes} passed, ${stats.failures} failed, ${stats.pending} skipped`));
    });
  }
}

export = CountingReporter;
