from tipsim.cli import main

raise SystemExit(main())
