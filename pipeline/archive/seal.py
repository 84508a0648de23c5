"""The key that signs the seal ledger (Ed25519, from the ``cryptography`` package).

A chained ledger alone shows that nobody edited its past; it cannot show who wrote its last
lines: a tamperer who edits a bag, regenerates its manifests and appends a fresh, correctly
chained entry leaves a consistent ledger. Signed entries close that gap. The private key lives
outside the outputs folder (``PIPELINE_SEAL_KEY`` names the file; ``pipeline keygen`` makes
one), so whoever can write to ``outputs/`` cannot sign; ``pipeline verify --key`` checks every
entry against the public key.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_ENV = "PIPELINE_SEAL_KEY"  # the private key, for runs that publish
PUBLIC_KEY_ENV = "PIPELINE_SEAL_PUBKEY"  # the public key, for verify


class SealKeyError(ValueError):
    """A key file that cannot be used; the message says why, in Chinese."""


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def generate(path: Path) -> Path:
    """A new private key at ``path`` (mode 0600, never overwritten) and its public key beside it
    (``path`` + ``.pub``); returns the public key's path."""
    public_path = path.with_name(path.name + ".pub")
    if path.exists() or public_path.exists():
        raise SealKeyError(f"{path} 或 {public_path} 已存在，不覆盖（覆盖会使已签名的台账无法再用原公钥核对）")
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    public_path.write_bytes(
        private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return public_path


def signing_key(outputs: Path) -> Ed25519PrivateKey | None:
    """The private key named by PIPELINE_SEAL_KEY, or None when entries are not signed. A key
    inside the outputs folder is refused: anyone who could change a bag could then sign."""
    name = os.environ.get(KEY_ENV, "")
    if not name:
        return None
    path = Path(name).expanduser()
    if path.resolve().is_relative_to(outputs.resolve()):
        raise SealKeyError(f"签名私钥 {path} 位于输出目录 {outputs} 之内；私钥必须存放在输出目录之外")
    key = _load(path)
    if not isinstance(key, Ed25519PrivateKey):
        raise SealKeyError(f"{path} 不是 Ed25519 私钥（环境变量 {KEY_ENV} 应指向 pipeline keygen 生成的私钥文件）")
    return key


def public_key(path: Path | None) -> Ed25519PublicKey | None:
    """The key verify checks signatures with: the file given (a public key, or the private key
    itself), else PIPELINE_SEAL_PUBKEY, else the public half of PIPELINE_SEAL_KEY; None without."""
    if path is None:
        name = os.environ.get(PUBLIC_KEY_ENV) or os.environ.get(KEY_ENV)
        if not name:
            return None
        path = Path(name).expanduser()
    key = _load(path)
    if isinstance(key, Ed25519PrivateKey):
        return key.public_key()
    if isinstance(key, Ed25519PublicKey):
        return key
    raise SealKeyError(f"{path} 不是 Ed25519 密钥")


def _load(path: Path) -> object:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SealKeyError(f"无法读取密钥文件 {path}（{exc.strerror or exc}）") from None
    try:
        if b"PRIVATE KEY" in data:
            return serialization.load_pem_private_key(data, password=None)
        return serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise SealKeyError(f"密钥文件 {path} 无法解析（{exc}）") from None


def sign(key: Ed25519PrivateKey, entry_hash: str) -> str:
    return key.sign(entry_hash.encode("ascii")).hex()


def valid(key: Ed25519PublicKey, entry_hash: str, signature: str) -> bool:
    try:
        key.verify(bytes.fromhex(signature), entry_hash.encode("ascii"))
    except (InvalidSignature, ValueError):
        return False
    return True
