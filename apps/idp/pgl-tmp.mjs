import { PGlite } from '@electric-sql/pglite';
let t = performance.now();
const db = new PGlite();
await db.waitReady;
console.log('ready', performance.now() - t);
t = performance.now();
const dump = await db.dumpDataDir('none');
console.log('dump', performance.now() - t, dump.size);
t = performance.now();
const db3 = new PGlite({ loadDataDir: dump });
await db3.waitReady;
console.log('load', performance.now() - t);
if (db.clone) {
  t = performance.now();
  const c = await db.clone();
  console.log('clone', performance.now() - t);
}
