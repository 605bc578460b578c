#!/usr/bin/env -S node --max-semi-space-size=64
// Where the `causeway` command lived before the CLI moved to cli/ (issue 14): kept so that service files and
// scripts written against this path still start it. New ones should use cli/bin/causeway.mjs.
import '../../cli/bin/causeway.mjs'
