'use strict';
// Answers the parent's 'memory' message with this process's CPU time so far, then rss and heapUsed
// after a full gc when the process was started with --expose-gc (bench/events.js starts its
// servers that way).
module.exports = function answerMemoryRequests() {
  process.on('message', (message) => {
    if (message !== 'memory') return;
    const { user, system } = process.cpuUsage();
    const gc = typeof global.gc === 'function';
    if (gc) { global.gc(); global.gc(); }
    const { rss, heapUsed } = process.memoryUsage();
    process.send({ memory: { rss, heapUsed, gc, cpuMicros: user + system } });
  });
};
