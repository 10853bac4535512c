import { webcrypto } from 'node:crypto';
// @peculiar/x509 resolves its ASN.1 services through tsyringe, which needs the Reflect metadata polyfill first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { systemClock } from '@roast-operator/clock';

// ECDSA P-256 everywhere: key generation takes milliseconds (RSA takes seconds on a small machine), and
// Kubernetes accepts it for serving, client and service-account signing keys alike.
const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const crypto = webcrypto;
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
// Node's webcrypto is the DOM Crypto the library declares, under another nominal type.
x509.cryptoProvider.set(crypto as never);

/** A certificate and its private key, both PEM-encoded. */
export interface CertifiedKey {
  certPem: string;
  keyPem: string;
}

/** A certificate authority that can issue leaf certificates. */
export interface CertificateAuthority extends CertifiedKey {
  issue(request: LeafRequest): Promise<CertifiedKey>;
}

/** What a leaf certificate says about its holder. */
export interface LeafRequest {
  /** Subject common name: the user name for client certificates. */
  commonName: string;
  /** Subject organizations: the groups for Kubernetes client certificates. */
  organizations?: string[];
  /** Serving certificates: DNS names and IP addresses the server answers on. */
  dnsNames?: string[];
  ipAddresses?: string[];
  usage: 'server' | 'client' | 'server+client';
  /** Validity; defaults to one year. Short lifetimes are how tests exercise expiry and rotation. */
  validForSeconds?: number;
}

/** A key pair in PEM: PKCS#8 private key, SPKI public key. */
export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

export async function generateKeyPair(): Promise<KeyPairPem> {
  const keys = await generateKeys();
  return {
    privateKeyPem: await privateKeyPem(keys.privateKey),
    publicKeyPem: await publicKeyPem(keys.publicKey),
  };
}

/** Creates a self-signed certificate authority. */
export async function createCertificateAuthority(
  commonName: string,
  validForSeconds = 10 * 365 * 86_400,
): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    ...validity(validForSeconds),
    name: [{ CN: [commonName] }],
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    certPem: cert.toString('pem'),
    keyPem: await privateKeyPem(keys.privateKey),
    issue: (request) => issueLeaf(cert, keys, request),
  };
}

async function issueLeaf(
  caCert: x509.X509Certificate,
  caKeys: CryptoKeyPair,
  request: LeafRequest,
): Promise<CertifiedKey> {
  const keys = await generateKeys();
  const usages = {
    server: [x509.ExtendedKeyUsage.serverAuth],
    client: [x509.ExtendedKeyUsage.clientAuth],
    'server+client': [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
  }[request.usage];
  const altNames: x509.JsonGeneralName[] = [
    ...(request.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(request.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    ...validity(request.validForSeconds ?? 365 * 86_400),
    subject: [{ CN: [request.commonName] }, ...(request.organizations ?? []).map((o) => ({ O: [o] }))],
    issuer: caCert.subject,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(usages),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
      ...(altNames.length > 0 ? [new x509.SubjectAlternativeNameExtension(altNames)] : []),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

function validity(validForSeconds: number): { serialNumber: string; notBefore: Date; notAfter: Date } {
  // Back-dated a minute so a certificate is valid at once on a peer whose clock is slightly behind.
  const now = systemClock.now();
  return {
    serialNumber: Buffer.from(crypto.getRandomValues(new Uint8Array(16)))
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + validForSeconds * 1000),
  };
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function publicKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey('spki', key), 'PUBLIC KEY');
}
