"""Peer: Python Tornado (Debian's python3-tornado), the framework tornado-ts rebuilds."""
import json
import sys

import tornado.ioloop
import tornado.web


class Hello(tornado.web.RequestHandler):
    def get(self):
        self.write("Hello, world")


class User(tornado.web.RequestHandler):
    def get(self, user_id):
        self.write({"id": int(user_id), "name": "user" + user_id, "q": self.get_query_argument("q", "")})


def main():
    scenario = sys.argv[1] if len(sys.argv) > 1 else "hello"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    routes = [(r"/user/([0-9]+)", User)] if scenario == "json" else [(r"/", Hello)]
    app = tornado.web.Application(routes)
    sockets = tornado.netutil.bind_sockets(port, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(app)
    server.add_sockets(sockets)
    print("listening %d" % sockets[0].getsockname()[1], flush=True)
    tornado.ioloop.IOLoop.current().start()


if __name__ == "__main__":
    import tornado.httpserver
    import tornado.netutil
    main()
