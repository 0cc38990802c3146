//! Integration tests of the load balancer data plane: real sockets on 127.0.0.1.
