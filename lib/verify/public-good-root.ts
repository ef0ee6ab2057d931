// The public-good Sigstore trusted root, shipped with Vitrine (a verbatim copy of the root embedded in
// @sigstore/tuf's seeds.json). Used when no other root is named; never refreshed over the network.
import publicGoodRoot from "./trusted_root.public-good.json";

export const PUBLIC_GOOD_TRUSTED_ROOT: unknown = publicGoodRoot;
