/** Store layout of x/mint (v0.50 collections): the minter at 0x00, params at 0x01. */
export const ModuleName = 'mint';
export const StoreKey = 'mint';
export const MinterKey = Uint8Array.of(0x00);
export const ParamsKey = Uint8Array.of(0x01);
