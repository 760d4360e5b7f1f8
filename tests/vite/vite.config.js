// Two pages: index.html imports "ocikit" (the full module), lite.html "ocikit/lite" (the lite one).
import { resolve } from "node:path";

export default {
  build: {
    rollupOptions: {
      input: { main: resolve(import.meta.dirname, "index.html"), lite: resolve(import.meta.dirname, "lite.html") },
    },
  },
};
