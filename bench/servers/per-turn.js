'use strict';
// The hand-written references' group commit (lean-sms.js, lean-conversations.js): what is queued
// in one event-loop turn is handed to `run` together, which stores it all in one transaction and
// returns one result per item; each caller gets its own, or `run`'s error.
module.exports = function perTurn(run) {
  let batch = [];
  const flush = () => {
    const units = batch;
    batch = [];
    let results;
    try {
      results = run(units.map((u) => u.item));
    } catch (error) {
      units.forEach((u) => u.reject(error));
      return;
    }
    units.forEach((u, i) => u.resolve(results[i]));
  };
  return (item) => new Promise((resolve, reject) => {
    if (batch.length === 0) setImmediate(flush);
    batch.push({ item, resolve, reject });
  });
};
