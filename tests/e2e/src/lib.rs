//! Shared harness for the end-to-end tests in `tests/`: starting real
//! components (chromedriver + Chromium, the emulator, oidc-provider) and
//! driving the product through them.
