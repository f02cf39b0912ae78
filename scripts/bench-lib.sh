# Shared by the benchmark scripts (sourced): free ports and the clock.
free_port() { python3 -c "import socket;s=socket.socket(socket.AF_INET,socket.$1);s.bind(('127.0.0.1',0));print(s.getsockname()[1])"; }
now() { date +%s.%N; }
