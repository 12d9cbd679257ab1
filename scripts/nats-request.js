#!/usr/bin/env node
// `nats req <subject> <body>` with what the project installs (the NATS CLI is neither an npm
// package nor in Debian): sends one request, prints the reply, and exits 1 when none comes or
// when it is a poolnet refusal (`"ok": false`). Reads NATS_URL (default nats://127.0.0.1:4222)
// and, for a server with users, NATS_USER and NATS_PASSWORD.
//   node scripts/nats-request.js poolnet.demo.cmd.operator.operator.CreateVm '{"data":{"vmId":"web-3","name":"web-3"}}'
// (a command's subject names the role and NATS user sending it: README, Access control)
import { connect } from '@nats-io/transport-node';
import process from 'node:process';

const [subject, body = ''] = process.argv.slice(2);
if (!subject) {
  process.stderr.write('usage: node scripts/nats-request.js <subject> [body]\n');
  process.exit(2);
}
const nc = await connect({
  servers: (process.env.NATS_URL ?? 'nats://127.0.0.1:4222').split(','),
  user: process.env.NATS_USER,
  pass: process.env.NATS_PASSWORD,
});
try {
  const reply = (await nc.request(subject, body, { timeout: 10_000 })).string();
  process.stdout.write(`${reply}\n`);
  if (/^\s*\{/.test(reply) && JSON.parse(reply).ok === false) process.exitCode = 1;
} catch (error) {
  process.stderr.write(`no reply on ${subject}: ${String(error)}\n`);
  process.exitCode = 1;
} finally {
  await nc.close();
}
