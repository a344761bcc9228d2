from workers.run import main

raise SystemExit(main())
