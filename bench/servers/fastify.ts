/** Peer: Fastify with its defaults (logger off). */
import Fastify from "fastify";
import { announce, HELLO, serverArgs, userJson } from "./common";

const { scenario, port } = serverArgs();
const app = Fastify({ logger: false, keepAliveTimeout: 600_000 });
if (scenario === "json") {
  app.get<{ Params: { id: string }; Querystring: { q?: string } }>("/user/:id", (req, reply) => {
    const id = Number(req.params.id);
    if (!/^[0-9]+$/.test(req.params.id)) return reply.code(404).send();
    reply.send(userJson(id, req.query.q ?? ""));
  });
} else {
  app.get("/", (_req, reply) => { reply.type("text/html; charset=UTF-8").send(HELLO); });
}
app.listen({ port, host: "127.0.0.1" }).then(() => {
  const addr = app.server.address();
  announce(typeof addr === "object" && addr ? addr.port : port);
});
