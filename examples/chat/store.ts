/** The chat room's memory as the handlers see it, whichever kind backs it. */
import type { Message, Waiter } from "./messages";

/**
 * What the handlers need from the room's memory: this process's MessageBuffer, or the
 * RedisMessageBuffer that several frontends share.
 */
export interface MessageStore {
  /** Names the history; a page that saw another one starts over. */
  readonly epoch: string;
  readonly waiterCount: number;
  since(cursor: number | null): Message[];
  waitForMessages(waiter: Waiter, cursor: number | null): () => void;
  wait(cursor: number | null, signal?: AbortSignal): Promise<Message[]>;
  add(from: string, body: string, render: (m: Message) => string): Message | Promise<Message>;
  /** Answers every waiter now with no messages (a stopping server sends its pages elsewhere). */
  releaseWaiters(): void;
  close?(): Promise<void>;
}
