#!/usr/bin/env python3
"""Makes the benchmark's JWKS and a token it verifies, from an RSA key in PEM, with openssl for the signature.

usage: token.py KEY.pem JWKS_OUT TOKEN_OUT   (issuer https://id.example, audience api, kid bench, valid 1 day)
"""
import base64
import json
import subprocess
import sys
import time


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main() -> None:
    key, jwks_out, token_out = sys.argv[1:4]
    modulus = subprocess.run(["openssl", "rsa", "-in", key, "-noout", "-modulus"], check=True, capture_output=True, text=True).stdout
    n = bytes.fromhex(modulus.strip().split("=", 1)[1])
    jwk = {"kty": "RSA", "kid": "bench", "use": "sig", "alg": "RS256", "n": b64url(n), "e": b64url((65537).to_bytes(3, "big"))}
    with open(jwks_out, "w") as f:
        json.dump({"keys": [jwk]}, f)
    now = int(time.time())
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "bench"}).encode())
    claims = {"iss": "https://id.example", "aud": "api", "sub": "bench", "iat": now, "nbf": now - 60, "exp": now + 86400}
    signing_input = f"{header}.{b64url(json.dumps(claims).encode())}"
    signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing_input.encode(), check=True, capture_output=True).stdout
    with open(token_out, "w") as f:
        f.write(f"{signing_input}.{b64url(signature)}")


if __name__ == "__main__":
    main()
