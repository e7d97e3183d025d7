// A headless test's use of the in-page simulator, compiled with `tsc
// --strict --noEmit` against pkg/: `ringside/sim` plugs into `connect()`.
import { connect, type Client, type Offer } from 'ringside';
import { createSimulator, type SimulatedCenter, type SimState } from 'ringside/sim';

async function ronaCycle(): Promise<Client> {
  const sim: SimulatedCenter = await createSimulator({
    profile: { preset: 'contact_center' },
    queues: ['support'],
    agents: ['ana', { id: 'sue', role: 'supervisor' }],
    start: Date.UTC(2030, 0, 7, 9),
  });
  const client = await connect({ url: 'sim://', token: 'ana', transport: sim.transport, clock: sim.clock });
  const offers: Offer[] = [];
  client.on('offer', (offer) => offers.push(offer));
  const contact: number = sim.placeContact({ queue: 'support', channel: 'voice', from: '+46 8 555 0100' });
  await sim.advanceTo(offers[0].deadline - 5_000);
  await sim.advance(5_000);
  const state: SimState = sim.state();
  const next: number | null = sim.nextDeadline();
  sim.hangUp(contact);
  sim.undeliverable(1, 'network_fault');
  sim.numberAnswers(2, false);
  sim.partyHangsUp(2, 3);
  sim.dialAnswers(4, 'busy');
  sim.dropConnections('ana');
  void [state, next, sim.now()];
  sim.close();
  return client;
}

void ronaCycle;
