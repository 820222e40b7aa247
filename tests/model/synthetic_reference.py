#!/usr/bin/env python3
# Independent reference (Python, libm) of the synthetic-weights contract in src/model/synthetic.h
# and of the canonical fp32 serialization; produced the golden values in test_synthetic.cc.
# Run: python3 tests/model/synthetic_reference.py
import math, struct
M=(1<<64)-1
def mix64(z):
    z^=z>>30; z=(z*0xBF58476D1CE4E5B9)&M; z^=z>>27; z=(z*0x94D049BB133111EB)&M; z^=z>>31; return z
def fnv(s):
    h=0xcbf29ce484222325
    for c in s.encode(): h^=c; h=(h*0x100000001b3)&M
    return h
def f32(x): return struct.unpack('<f',struct.pack('<f',x))[0]
def vals(seed,name,n):
    key=mix64(seed^mix64(fnv(name))); out=[]
    j=0
    while len(out)<n:
        a=mix64((key+(2*j+1)*0x9E3779B97F4A7C15)&M); b=mix64((key+(2*j+2)*0x9E3779B97F4A7C15)&M)
        u1=((a>>11)+1)*2.0**-53; u2=(b>>11)*2.0**-53
        r=math.sqrt(-2*math.log(u1))
        out+= [f32(0.02*r*math.cos(2*math.pi*u2)), f32(0.02*r*math.sin(2*math.pi*u2))]
        j+=1
    return out[:n]
if __name__ == "__main__":
    for v in vals(0, "wte.weight", 4): print(repr(v), float.hex(v))
import json, hashlib
def layout(L,H,E,V,P):
    I=4*E; t=[("wte.weight",[V,E],'n'),("wpe.weight",[P,E],'n')]
    for l in range(L):
        p=f"h.{l}."
        t+=[(p+"ln_1.weight",[E],'1'),(p+"ln_1.bias",[E],'0'),(p+"attn.c_attn.weight",[E,3*E],'n'),(p+"attn.c_attn.bias",[3*E],'0'),
            (p+"attn.c_proj.weight",[E,E],'n'),(p+"attn.c_proj.bias",[E],'0'),(p+"ln_2.weight",[E],'1'),(p+"ln_2.bias",[E],'0'),
            (p+"mlp.c_fc.weight",[E,I],'n'),(p+"mlp.c_fc.bias",[I],'0'),(p+"mlp.c_proj.weight",[I,E],'n'),(p+"mlp.c_proj.bias",[E],'0')]
    t+=[("ln_f.weight",[E],'1'),("ln_f.bias",[E],'0')]
    return t
def canon_sha(seed,L,H,E,V,P):
    t=sorted(layout(L,H,E,V,P))
    hdr={"__metadata__":{"format":"pt"}}; off=0; data=b''
    for name,shape,init in t:
        n=math.prod(shape)
        v = vals(seed,name,n) if init=='n' else [float(init=='1')]*n
        b=struct.pack('<%df'%n,*v); hdr[name]={"dtype":"F32","shape":shape,"data_offsets":[off,off+len(b)]}; off+=len(b); data+=b
    s=json.dumps(hdr,separators=(',',':'),sort_keys=True); s+=' '*((8-len(s)%8)%8)
    return hashlib.sha256(struct.pack('<Q',len(s))+s.encode()+data).hexdigest()
if __name__ == "__main__":
    print("tiny-gpt2 seed 0 ", canon_sha(0, 2, 2, 2, 50257, 1024))
    print("tiny-gpt2 seed 42", canon_sha(42, 2, 2, 2, 50257, 1024))
