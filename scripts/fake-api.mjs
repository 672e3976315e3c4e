#!/usr/bin/env node
// Runs the test fake API server (incident objects) until killed, for scripts/agent-footprint.sh.
// Usage: node scripts/fake-api.mjs DIR   writes DIR/url, DIR/token (a service account dir) and DIR/kubeconfig
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeApiServer } from '../dist/cluster/testing/fake-api-server.js';
import { incidentObjects } from '../dist/cluster/testing/incident-objects.js';

const dir = process.argv[2];
const api = await startFakeApiServer(incidentObjects());
writeFileSync(join(dir, 'token'), api.token + '\n');
api.writeKubeconfig(dir);
writeFileSync(join(dir, 'url'), api.url + '\n');
process.on('SIGTERM', () => void api.close().then(() => process.exit(0)));
