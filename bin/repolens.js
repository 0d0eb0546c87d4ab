#!/usr/bin/env node
// The installed entry point: everything happens in the composition root.
import '../dist/main.js';
