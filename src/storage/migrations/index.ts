import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001-initial';
import * as m002 from './002-event-agent';
import * as m003 from './003-messaging';
import * as m004 from './004-calls';
import * as m005 from './005-drop-unused-event-index';
import * as m006 from './006-call-agent-dialled';
import * as m007 from './007-timeline-entries';
import * as m008 from './008-routing';
import * as m009 from './009-simulator-media';
import * as m010 from './010-event-positions';
import * as m011 from './011-contact-activity-index';
import * as m012 from './012-call-participants';
import * as m013 from './013-inbound-calls';
import * as m014 from './014-recordings';
import * as m015 from './015-tenant-admin';
import * as m016 from './016-provider-attempts';
import * as m017 from './017-conversation-agents';
import * as m018 from './018-api-keys-and-credentials';
import * as m019 from './019-callback-tasks';
import * as m022 from './022-call-failover';
import * as m023 from './023-partial-contact-keys';

/** Migrations are compiled in, so a built image needs no migration files on disk. */
const MIGRATIONS: Record<string, Migration> = {
  '001-initial': m001,
  '002-event-agent': m002,
  '003-messaging': m003,
  '004-calls': m004,
  '005-drop-unused-event-index': m005,
  '006-call-agent-dialled': m006,
  '007-timeline-entries': m007,
  '008-routing': m008,
  '009-simulator-media': m009,
  '010-event-positions': m010,
  '011-contact-activity-index': m011,
  '012-call-participants': m012,
  '013-inbound-calls': m013,
  '014-recordings': m014,
  '015-tenant-admin': m015,
  '016-provider-attempts': m016,
  '017-conversation-agents': m017,
  '018-api-keys-and-credentials': m018,
  '019-callback-tasks': m019,
  '022-call-failover': m022,
  '023-partial-contact-keys': m023,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};

export const LATEST_MIGRATION = Object.keys(MIGRATIONS).sort().at(-1)!;
