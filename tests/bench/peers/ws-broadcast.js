// The minimal Node `ws` broadcast server the benchmark compares with:
// every text message from any client goes, as it is, to every client.
// Usage: node ws-broadcast.js PORT   (0 picks a free port)
'use strict';
const { WebSocketServer } = require('ws');

const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2] || 0), perMessageDeflate: false });

wss.on('listening', () => {
  console.log(`listening on ${wss.address().port}`);
});

wss.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    // Frame once: the same buffer goes to every client.
    for (const client of wss.clients) {
      if (client.readyState === 1) client.send(data, { binary: isBinary });
    }
  });
});

const stop = () => wss.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
