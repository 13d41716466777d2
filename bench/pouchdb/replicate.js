// PouchDB baseline for passerelle_bench's replication section: N documents of about
// B bytes replicated from a PouchDB database served over HTTP (express-pouchdb, in a
// child process, on 127.0.0.1, port 0) into a fresh PouchDB database in this process,
// the way a fresh node pulls from a peer. Prints one JSON line:
//   {"docs": N, "seconds": S, "docs_per_s": R, "batch_size": K|null, "adapter": A}
// Usage: node replicate.js [--docs N] [--bytes B] [--batch-size K] [--adapter leveldb|memory]
// leveldb (PouchDB's default in node.js, on disk in a temporary directory, removed at
// exit) or memory (no disk: a more generous baseline) for both databases.
'use strict';

const { fork } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const PouchDB = require('pouchdb-core')
  .plugin(require('pouchdb-adapter-leveldb'))
  .plugin(require('pouchdb-adapter-memory'))
  .plugin(require('pouchdb-adapter-http'))
  .plugin(require('pouchdb-replication'));

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

// A database named `name` with the chosen adapter (leveldb: under `dir`).
function open(name, adapter, dir) {
  return new PouchDB(adapter === 'leveldb' ? path.join(dir, name) : name, { adapter });
}

const WORDS = ['coopération', 'formation', 'minière', 'qualifications', 'partenariat',
  'collège', 'programme', 'compétences', 'mission', 'énergie', 'secteur', 'institut'];

function text(seed, len) {
  let out = '';
  let x = seed * 2654435761 % 4294967296;
  while (out.length < len) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out += (out ? ' ' : '') + WORDS[x % WORDS.length];
  }
  return out.slice(0, len);
}

function makeDoc(i, bytes) {
  const doc = {
    _id: 'agr-' + String(i).padStart(8, '0'),
    kind: 'agreement',
    title: 'Entente ' + text(i, 60),
    parties: ['inst-' + (i % 20), 'inst-' + ((i + 7) % 20)],
    start_date: '2024-01-01',
    end_date: '2027-12-31',
    purpose: '',
  };
  const fixed = Buffer.byteLength(JSON.stringify(doc));
  doc.purpose = text(i + 1, Math.max(50, bytes - fixed));
  return doc;
}

async function serve(docs, bytes, adapter, dir) {
  // express-pouchdb's own app (it brings the express version it was written for).
  const ServerPouch = PouchDB.defaults(
    adapter === 'leveldb' ? { adapter, prefix: dir + path.sep } : { adapter });
  const app = require('express-pouchdb')(ServerPouch, {
    mode: 'minimumForPouchDB', logPath: path.join(dir, 'log.txt'),
  });
  const source = new ServerPouch('source');
  for (let start = 0; start < docs; start += 1000) {
    const chunk = [];
    for (let i = start; i < Math.min(docs, start + 1000); i++) chunk.push(makeDoc(i, bytes));
    await source.bulkDocs(chunk);
  }
  const server = app.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('message', (m) => { if (m === 'stop') { server.close(); process.exit(0); } });
}

async function main() {
  const docs = Number(arg('--docs', 10000));
  const bytes = Number(arg('--bytes', 500));
  const batchSize = arg('--batch-size', null) && Number(arg('--batch-size'));
  const adapter = arg('--adapter', 'leveldb');
  if (adapter !== 'leveldb' && adapter !== 'memory') throw new Error('unknown adapter ' + adapter);
  if (process.argv.includes('--serve')) return serve(docs, bytes, adapter, arg('--dir'));

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-pouchdb-'));
  fs.mkdirSync(path.join(dir, 'server'));
  const child = fork(__filename, ['--serve', '--docs', String(docs), '--bytes', String(bytes),
    '--adapter', adapter, '--dir', path.join(dir, 'server')]);
  const port = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.port));
    child.once('exit', (code) => reject(new Error('server exited with ' + code)));
  });
  try {
    const source = new PouchDB('http://127.0.0.1:' + port + '/source');
    const target = open('target', adapter, dir);
    const options = batchSize ? { batch_size: batchSize } : {};
    const t0 = process.hrtime.bigint();
    const result = await PouchDB.replicate(source, target, options);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const info = await target.info();
    if (!result.ok || info.doc_count !== docs)
      throw new Error('replicated ' + info.doc_count + ' of ' + docs + ' docs');
    const sample = await target.get(makeDoc(0, bytes)._id);
    console.log(JSON.stringify({
      docs, seconds, docs_per_s: docs / seconds, batch_size: batchSize,
      doc_bytes: Buffer.byteLength(JSON.stringify(sample)), adapter,
    }));
    await target.close();
  } finally {
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error('replicate.js: ' + (e && e.stack || e)); process.exit(1); });
