// Loaded with `node --import` into every process the load test starts: when the load test itself dies
// without cleaning up (SIGKILL), the process sees its parent change and shuts down gracefully instead of running on.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
}, 1000).unref();
