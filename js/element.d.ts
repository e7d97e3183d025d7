import type { CallbackSoundEvent, Client, OutboundView } from './index.js';

/**
 * `<ringside-agent url="wss://…/ws" token="…">`: a complete agent desk
 * widget, with the team's presence roster below it (supervisors also get
 * queue tiles, monitoring and log out per row); `roster="off"` leaves the
 * roster out.
 */
export class RingsideAgent extends HTMLElement {
  /** The connected client, once the element has connected. */
  client: Client | null;
  /**
   * Plays the sound a campaign names for a callback event (SPEC W6). The
   * default plays `new Audio(sound)`, the name taken as a URL relative to the
   * page. Assign your own to map names to files or stay silent.
   * @example element.playSound = (sound, event) => myAudio.play(`/sounds/${sound}.ogg`);
   */
  playSound(sound: string, event: CallbackSoundEvent, card: OutboundView): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'ringside-agent': RingsideAgent;
  }
}
