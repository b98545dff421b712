/**
 * The chat demo: a long-polling chat room. Sign in with a nickname (kept in a signed cookie), post
 * messages, and every open page sees them at once. Both styles of asynchronous handler are here:
 * `@Asynchronous` with callbacks, and async/await.
 */
import path from "node:path";
import { Application, Asynchronous, Authenticated, RequestHandler, Route, UIModule, UiModule } from "../../src";
import { exampleDir } from "../assets";
import { MessageBuffer, type Message } from "./messages";
import type { MessageStore } from "./store";
import { MessageSocketHandler } from "./socket";

class BaseHandler extends RequestHandler {
  protected get buffer(): MessageStore {
    return this.settings.messageBuffer as MessageStore;
  }
  override getCurrentUser(): string | null {
    return this.getSecureCookie("chatdemo_user");
  }
  protected cursor(): number | null {
    const c = this.getArgument("cursor", null);
    return c && /^[0-9]+$/.test(c) ? Number(c) : null;
  }
  /**
   * The page polling saw another history (the server restarted since it loaded): its cursor and
   * message ids mean nothing here, so it gets this history whole, marked `reset`.
   */
  protected replyIfStale(): boolean {
    const epoch = this.getArgument("epoch", null);
    if (epoch === null || epoch === this.buffer.epoch) return false;
    this.finish({ epoch: this.buffer.epoch, reset: true, messages: this.buffer.since(null) });
    return true;
  }
}

@Route("/", { name: "room" })
class RoomHandler extends BaseHandler {
  @Authenticated
  get(): void {
    this.render("index.html", { messages: this.buffer.since(null), epoch: this.buffer.epoch });
  }
}

@Route("/a/message/new")
class MessageNewHandler extends BaseHandler {
  @Authenticated
  async post(): Promise<void> {
    const message = await this.buffer.add(this.currentUser as string, this.getArgument("body")!, (m) => this.renderString("message.html", { message: m }));
    if (this.getArgument("next", null)) this.redirect(this.getArgument("next")!);
    else this.write({ id: message.id, from: message.from, body: message.body, html: message.html, epoch: this.buffer.epoch });
  }
}

/** Long poll, callback style: the request stays open until a message arrives or the client leaves. */
@Route("/a/message/updates")
class MessageUpdatesHandler extends BaseHandler {
  private cancel?: () => void;

  @Authenticated
  @Asynchronous
  post(): void {
    if (this.replyIfStale()) return;
    const epoch = this.buffer.epoch;
    this.cancel = this.buffer.waitForMessages(this.asyncCallback((messages: Message[]) => this.finish({ epoch, messages })), this.cursor());
  }

  override onConnectionClose(): void {
    this.cancel?.();
  }
}

/** Long poll, async/await style: the same wait as a promise, cancelled when the client leaves. */
@Route("/a/message/updates-async")
class MessageUpdatesAsyncHandler extends BaseHandler {
  private readonly gone = new AbortController();

  @Authenticated
  async post(): Promise<void> {
    if (this.replyIfStale()) return;
    const messages = await this.buffer.wait(this.cursor(), this.gone.signal);
    if (!this.gone.signal.aborted) this.write({ epoch: this.buffer.epoch, messages });
  }

  override onConnectionClose(): void {
    this.gone.abort();
  }
}

/** Who the server thinks it talks to: behind a proxy with `--xheaders`, the client, not the proxy. */
@Route("/a/connection")
class ConnectionInfoHandler extends BaseHandler {
  get(): void {
    this.write({ remoteIp: this.request.remoteIp, protocol: this.request.protocol });
  }
}

@Route("/auth/login", { name: "login" })
class LoginHandler extends BaseHandler {
  get(): void {
    this.render("login.html", { next: this.getArgument("next", "/"), error: null });
  }
  post(): void {
    const name = this.getArgument("name").trim().slice(0, 40);
    if (!name) {
      this.render("login.html", { next: this.getArgument("next", "/"), error: "Please choose a nickname." });
      return;
    }
    this.setSecureCookie("chatdemo_user", name);
    const next = this.getArgument("next", "/")!;
    this.redirect(next.startsWith("/") && !next.startsWith("//") ? next : "/");
  }
}

@Route("/auth/logout")
class LogoutHandler extends BaseHandler {
  get(): void {
    this.clearCookie("chatdemo_user");
    this.redirect("/auth/login");
  }
}

/** One message, as the room page and new-message responses show it. */
@UiModule("Message")
export class MessageModule extends UIModule {
  override render(message: Message): string {
    return this.renderString("message.html", { message });
  }
}

export const handlers = [
  RoomHandler, MessageNewHandler, MessageUpdatesHandler, MessageUpdatesAsyncHandler, MessageSocketHandler, ConnectionInfoHandler,
  LoginHandler, LogoutHandler, MessageModule,
];

/** A stable colour (hue in degrees) per nickname, for its avatar: `{{ avatarHue(message.from) }}`. */
function avatarHue(_handler: RequestHandler, name: string): number {
  let hash = 7;
  for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)!) % 360;
  return hash;
}

/** The first character of a nickname (a whole emoji or accented letter), upper-cased, for its avatar. */
function initial(_handler: RequestHandler, name: string): string {
  return (Array.from(name)[0] ?? "?").toUpperCase();
}

/**
 * The chat application over `buffer` (this process's own by default; a RedisMessageBuffer shares
 * the room with other frontends). `buffer` is returned for tests (waiter counts).
 */
export function makeChatApplication<S extends MessageStore = MessageBuffer>(
  settings: Record<string, unknown> = {}, buffer: S = new MessageBuffer(200) as unknown as S,
): { app: Application; buffer: S } {
  const dir = exampleDir("chat");
  const app = new Application(handlers, {
    cookieSecret: "__TODO:_GENERATE_YOUR_OWN_RANDOM_VALUE_HERE__",
    loginUrl: "/auth/login",
    templatePath: path.join(dir, "templates"),
    staticPath: path.join(dir, "static"),
    xsrfCookies: true,
    messageBuffer: buffer,
    uiMethods: { avatarHue, initial },
    ...settings,
  });
  return { app, buffer };
}
