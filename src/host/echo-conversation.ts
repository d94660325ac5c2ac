import { countWords } from './echo-directives.js';

/** The user and agent messages of the conversation, with the user messages' word counts. */
export class Conversation {
  /** One entry per message, oldest first: a user message's word count, or undefined for an agent's. */
  private readonly messages: (number | undefined)[] = [];
  /** User messages held. */
  length = 0;
  /** Words of the user messages held. */
  words = 0;

  /** User + agent messages held. */
  get messageCount(): number {
    return this.messages.length;
  }

  push(text: string): void {
    const n = countWords(text);
    this.messages.push(n);
    this.length++;
    this.words += n;
  }

  pushAgent(): void {
    this.messages.push(undefined);
  }

  /** Drops the last user message and everything after it. */
  pop(): void {
    while (this.messages.length > 0) {
      const words = this.messages.pop();
      if (words === undefined) continue;
      this.length--;
      this.words -= words;
      return;
    }
  }
}
