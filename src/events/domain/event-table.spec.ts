import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_TYPES } from './event-catalogue';
import { eventTable, TABLE_END, TABLE_START } from './event-table';

const ROOT = join(__dirname, '..', '..', '..');

describe('the event types the documents name', () => {
  it('README.md holds the table printed from the catalogue, exactly', () => {
    const path = join(ROOT, 'README.md');
    const readme = readFileSync(path, 'utf8');
    const start = readme.indexOf(TABLE_START);
    const end = readme.indexOf(TABLE_END);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    const held = readme.slice(start, end + TABLE_END.length);
    // After a change to the catalogue: UPDATE_README=1 npx jest src/events/domain/event-table.spec.ts
    if (process.env.UPDATE_README === '1' && held !== eventTable()) writeFileSync(path, readme.replace(held, eventTable()));
    else expect(held).toBe(eventTable());
  });

  it('prints one row per type, with its payload', () => {
    const rows = eventTable().split('\n').filter((line) => line.startsWith('| `'));
    expect(rows.map((row) => row.slice(3, row.indexOf('`', 3)))).toEqual(EVENT_TYPES);
    expect(rows.find((row) => row.startsWith('| `agent.presence`'))).toContain('`{ agentId, status: online\\|offline }`');
    expect(rows.find((row) => row.startsWith('| `sms.sent`'))).toContain('`DeliveryReport`');
    expect(eventTable()).toContain('- `DeliveryReport`: `{ providerRef: string|null, errorCode: string|null, error? }`');
  });

  it('the contract (docs/api-contract.md §7) names only types of the catalogue', () => {
    const contract = readFileSync(join(ROOT, 'docs', 'api-contract.md'), 'utf8');
    const line = contract.slice(contract.indexOf('Event types (at least)'), contract.indexOf('## 8.'));
    // `call.initiated|ringing|…` names call.initiated, call.ringing, …
    const named = [...line.matchAll(/`([a-z]+)\.([a-z_|]+)`/g)].flatMap(([, prefix, names]) => names!.split('|').map((n) => `${prefix}.${n}`));
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((type) => !(EVENT_TYPES as string[]).includes(type))).toEqual([]);
  });
});
