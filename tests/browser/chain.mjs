// WIP
export async function chainSuite() {}
export async function ggdSuite() {}
