set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s4.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, batch_short (4x32)'
$d0 << EOD
102714 135791.175
124439808 979.067587
EOD
$d1 << EOD
102714 991974.615
124439808 165410.188
EOD
$d2 << EOD
102714 788418.885
124439808 162782.801
EOD
$d3 << EOD
102714 799231.248
124439808 78425.5304
EOD
$d4 << EOD
102714 798597.114
124439808 25519.8721
EOD
$d5 << EOD
102714 859870.806
124439808 133063.213
EOD
$d6 << EOD
102714 130951.914
124439808 3632.8089
EOD
$d7 << EOD
102714 127130.083
124439808 43285.9796
EOD
$d8 << EOD
102714 127393.3
124439808 46121.7229
EOD
$d9 << EOD
102714 127013.425
124439808 40647.7177
EOD
$d10 << EOD
102714 123913.894
124439808 27819.6635
EOD
$d11 << EOD
102714 88158.2614
124439808 18249.9116
EOD
$d12 << EOD
102714 72027.414
124439808 22304.6525
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu', \
     $d7 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0', \
     $d8 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0', \
     $d9 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d10 using 1:2 with linespoints title 'transformers-compile fp32 on cuda:0', \
     $d11 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d12 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
