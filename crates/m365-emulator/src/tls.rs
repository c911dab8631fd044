//! HTTPS with a CA and server certificate generated at start.
