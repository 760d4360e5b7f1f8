// The demo page: everything it computes comes from the npm package's public API ("ocikit").
import { setUpAuthor } from "./author.js";
import { setUpRegistry } from "./registry.js";
import { setUpTools } from "./tools.js";
import { setUpValidate } from "./validate.js";

setUpAuthor();
setUpRegistry();
setUpValidate();
setUpTools();
document.documentElement.dataset.ready = "true";
