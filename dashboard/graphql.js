// A small GraphQL client for the page: queries over HTTP, subscriptions over one WebSocket
// speaking graphql-transport-ws (the protocol of the graphql-ws library the server uses).
export function createClient(token) {
  const url = `${location.origin}/graphql`;
  let socket, ready, nextId = 1;
  const handlers = new Map();

  async function query(query, variables) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
    const body = await res.json();
    if (body.errors?.length) { const e = new Error(body.errors[0].message); e.code = body.errors[0].extensions?.code; throw e; }
    return body.data;
  }

  function open() {
    if (ready) return ready;
    socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    ready = new Promise((resolve, reject) => {
      socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
      socket.onmessage = (m) => {
        const msg = JSON.parse(m.data);
        if (msg.type === 'connection_ack') return resolve();
        if (msg.type === 'ping') return socket.send(JSON.stringify({ type: 'pong' }));
        const h = handlers.get(msg.id);
        if (!h) return;
        if (msg.type === 'next') h.next(msg.payload);
        else if (msg.type === 'error') { handlers.delete(msg.id); h.error(msg.payload); }
        else if (msg.type === 'complete') handlers.delete(msg.id);
      };
      socket.onclose = (e) => { ready = undefined; reject(e); for (const h of handlers.values()) h.error([{ message: `connection closed (${e.code})` }]); handlers.clear(); };
    });
    return ready;
  }

  function subscribe(query, variables, next, error = () => {}) {
    const id = String(nextId++);
    handlers.set(id, { next, error });
    open().then(() => socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } })), (e) => error([{ message: String(e?.code ?? e) }]));
    return () => { if (handlers.delete(id) && socket?.readyState === 1) socket.send(JSON.stringify({ id, type: 'complete' })); };
  }

  return { query, subscribe, close: () => socket?.close() };
}
