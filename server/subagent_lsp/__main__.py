from subagent_lsp.cli import main

raise SystemExit(main())
