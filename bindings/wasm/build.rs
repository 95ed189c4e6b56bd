//! Build script: the input and output object types of @clv/wasm are the
//! interfaces of @clv/node's generated `index.d.ts` (the same API). They are
//! copied from there into `$OUT_DIR/types.d.ts` at every build, the wasm
//! build's `typescript_custom_section`, so `index.d.ts` is their only
//! committed source. The JS test suite checks that both packages declare them.
use std::{env, fs, path::Path};

fn main() {
    let node = Path::new("../node/index.d.ts");
    println!("cargo:rerun-if-changed={}", node.display());
    let text = fs::read_to_string(node).expect("bindings/node/index.d.ts (committed) is readable");
    let mut out = String::from(
        "// Input and output object types of @clv/wasm: the interfaces of @clv/node's\n// generated index.d.ts (same API), copied by bindings/wasm/build.rs.\n",
    );
    // Not the generic interfaces of index.d.ts's head (index.d.ts.in): the
    // methods the node model classes share and their merges into each class.
    let mut inside = false;
    for line in text.lines() {
        inside |= line.starts_with("export interface ") && !line.contains('<');
        if inside {
            out.push_str(line);
            out.push('\n');
        }
        inside &= line != "}" && !line.ends_with("{}");
    }
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("types.d.ts");
    fs::write(dest, out).expect("OUT_DIR is writable");
}
