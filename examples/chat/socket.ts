/**
 * The chat's WebSocket: the page connects here when it can and gets every new message pushed as
 * `{ messages: [...] }`, the same shape the long poll answers with. `?cursor=N` replays what the
 * page missed. Posting stays on `/a/message/new` (an ordinary form POST with its XSRF token).
 */
import { Authenticated, Route } from "../../src/web/index";
import { WebSocketHandler } from "../../src/websocket/index";
import type { Message } from "./messages";
import type { MessageStore } from "./store";

@Authenticated
@Route("/a/message/socket")
export class MessageSocketHandler extends WebSocketHandler<string> {
  private cancel: (() => void) | null = null;
  private cursor: number | null = null;

  override getCurrentUser(): string | null {
    return this.getSecureCookie("chatdemo_user");
  }

  /** Every chat socket of this process, so a graceful stop can tell them to go elsewhere. */
  static readonly sockets = new Set<MessageSocketHandler>();

  private get store(): MessageStore {
    return this.settings.messageBuffer as MessageStore;
  }

  override open(): void {
    MessageSocketHandler.sockets.add(this);
    const c = this.getArgument("cursor", null);
    this.cursor = c !== null && /^[0-9]+$/.test(c) ? Number(c) : null;
    const epoch = this.getArgument("epoch", null);
    if (epoch !== null && epoch !== this.store.epoch) {
      // The page saw another history (a restarted server): it gets this one whole.
      const messages = this.store.since(null);
      this.writeMessage({ epoch: this.store.epoch, reset: true, messages }).catch(() => undefined);
      this.cursor = messages.length ? messages[messages.length - 1].id : null;
    }
    this.listen();
  }

  override onClose(): void {
    MessageSocketHandler.sockets.delete(this);
    this.cancel?.();
    this.cancel = null;
  }

  /** One wait after another: each batch of messages is sent, then the next wait starts past it. */
  private listen(): void {
    const store = this.store;
    this.cancel = store.waitForMessages((messages: Message[]) => {
      if (this.wsConnection === null || !this.wsConnection.open || messages.length === 0) return;
      this.cursor = messages[messages.length - 1].id;
      this.writeMessage({ epoch: store.epoch, messages }).catch(() => undefined);
      this.listen();
    }, this.cursor);
  }
}
