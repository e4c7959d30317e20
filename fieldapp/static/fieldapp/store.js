// The phone's storage: one IndexedDB database with three stores.
//   kv:      the session (rules, settings, cursors, last sync time, PIN hash)
//   records: worklist records, keyed "patients:12", "contacts:7"
//   queue:   entries waiting to be sent, keyed by their idempotency key; they survive reloads, app kills, restarts.
const DB = "phongdich-field";
let dbp = null;

function open() {
  if (!dbp) {
    dbp = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore("kv");
        db.createObjectStore("records");
        const q = db.createObjectStore("queue", { keyPath: "key" });
        q.createIndex("created", "created");
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  return dbp;
}

function tx(store, mode, fn) {
  return open().then((db) => new Promise((resolve, reject) => {
    const t = db.transaction(store, mode);
    let out;
    Promise.resolve(fn(t.objectStore(store))).then((v) => { out = v; });
    t.oncomplete = () => resolve(out);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  }));
}

const req = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });

export const kv = {
  get: (k) => tx("kv", "readonly", (s) => req(s.get(k))),
  set: (k, v) => tx("kv", "readwrite", (s) => { s.put(v, k); }),
};

export const records = {
  all: (worklist) => tx("records", "readonly", (s) => req(s.getAll(IDBKeyRange.bound(`${worklist}:`, `${worklist}:\uffff`)))),
  get: (worklist, id) => tx("records", "readonly", (s) => req(s.get(`${worklist}:${id}`))),
  put: (worklist, list) => tx("records", "readwrite", (s) => { for (const r of list) s.put(r, `${worklist}:${r.id}`); }),
  // Keep only these ids of a worklist (the server's list of what is in it now).
  keepOnly: (worklist, ids) => tx("records", "readwrite", async (s) => {
    const keep = new Set(ids.map((i) => `${worklist}:${i}`));
    const keys = await req(s.getAllKeys(IDBKeyRange.bound(`${worklist}:`, `${worklist}:\uffff`)));
    for (const k of keys) if (!keep.has(k)) s.delete(k);
  }),
};

export const queue = {
  add: (entry) => tx("queue", "readwrite", (s) => { s.put(entry); }),
  all: () => tx("queue", "readonly", (s) => req(s.index("created").getAll())),
  remove: (keys) => tx("queue", "readwrite", (s) => { for (const k of keys) s.delete(k); }),
  count: () => tx("queue", "readonly", (s) => req(s.count())),
};

// Everything on the phone goes: sign-out, days without sync, too many wrong PINs.
export async function wipe() {
  const db = await open();
  db.close();
  dbp = null;
  await new Promise((resolve) => {
    const r = indexedDB.deleteDatabase(DB);
    r.onsuccess = r.onerror = r.onblocked = () => resolve();
  });
}
