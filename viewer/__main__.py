from viewer.app import main

raise SystemExit(main())
