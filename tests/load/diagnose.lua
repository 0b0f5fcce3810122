-- wrk script: POST the same diagnosis request on every connection.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"error_code": "0x904", "extended_code": "0x7", "domain_joined": true, "client_os": "windows11", "host_os": "server2019"}'
