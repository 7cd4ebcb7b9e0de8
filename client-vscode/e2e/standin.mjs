// A stand-in for the Anthropic Messages API on 127.0.0.1 (the Node twin of tests/standin.py):
// the server's SDK is pointed at it with ANTHROPIC_BASE_URL. It records every request and answers
// POST /v1/messages with one forced `propose_changes` tool call, non-streaming.
import * as http from "node:http";

// What backend-developer proposes for examples/backend/flask_shop/app.py: the rates call gets a
// timeout and fails loudly on an HTTP error. `find` is exact text of that file.
export const RATES_FIND = '    rates = requests.get(RATES_URL, params={"base": "EUR"}).json()\n';
export const RATES_FIX = {
  summary: "Bound the rates call and fail loudly on an HTTP error.",
  suggestions: [
    {
      kind: "error-handling",
      title: "Time out the rates call and check its status",
      rationale: "Without a timeout a slow rates service holds the worker forever; a 5xx page is not JSON.",
      edits: [
        {
          find: RATES_FIND,
          replace:
            '    response = requests.get(RATES_URL, params={"base": "EUR"}, timeout=5)\n' +
            "    response.raise_for_status()\n" +
            "    rates = response.json()\n",
        },
      ],
    },
  ],
};

function message(model, input) {
  return {
    id: "msg_standin",
    type: "message",
    role: "assistant",
    model,
    content: [{ type: "tool_use", id: "toolu_1", name: "propose_changes", input }],
    stop_reason: "tool_use",
    stop_sequence: null,
    usage: { input_tokens: 100, output_tokens: 50, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
}

export async function startStandIn(answer = RATES_FIX) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body = {};
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        // recorded as it came; answered below as a bad request
      }
      requests.push({ method: req.method, path: req.url, headers: req.headers, body, raw });
      const send = (status, payload) => {
        const data = JSON.stringify(payload);
        res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(data) });
        res.end(data);
      };
      const route = (req.url ?? "").split("?")[0];
      if (req.method === "POST" && route === "/v1/messages/count_tokens") {
        send(200, { input_tokens: Math.round(raw.length / 3.5) });
      } else if (req.method === "POST" && route === "/v1/messages") {
        send(200, message(body.model ?? "claude", answer));
      } else {
        send(404, { type: "error", error: { type: "not_found_error", message: `stand-in: no ${req.method} ${req.url}` } });
      }
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    // The Messages calls (count_tokens aside).
    messages: () => requests.filter((r) => r.path.split("?")[0] === "/v1/messages"),
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // the SDK keeps its connection alive
      }),
  };
}
