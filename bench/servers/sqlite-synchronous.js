'use strict';
// PRAGMA synchronous for the hand-written SQLite servers (express-sms.js, lean-sms.js): from
// BENCH_SQLITE_SYNCHRONOUS, FULL when unset. It is not a bound parameter, so only these words may
// reach it.
const SQLITE_SYNCHRONOUS = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

module.exports = function sqliteSynchronous() {
  const synchronous = (process.env.BENCH_SQLITE_SYNCHRONOUS || 'FULL').toUpperCase();
  if (!SQLITE_SYNCHRONOUS.includes(synchronous)) {
    throw new Error(`BENCH_SQLITE_SYNCHRONOUS must be one of ${SQLITE_SYNCHRONOUS.join(', ')} (got "${process.env.BENCH_SQLITE_SYNCHRONOUS}")`);
  }
  return synchronous;
};
