import type { Client } from './index.js';

/** `<ringside-agent url="wss://…/ws" token="…">`: a complete agent desk widget. */
export class RingsideAgent extends HTMLElement {
  /** The connected client, once the element has connected. */
  client: Client | null;
}

declare global {
  interface HTMLElementTagNameMap {
    'ringside-agent': RingsideAgent;
  }
}
