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
102714 969986.209
124439808 5001.93743
EOD
$d1 << EOD
102714 1867027.07
124439808 250921.62
EOD
$d2 << EOD
102714 2083738.8
124439808 251473.229
EOD
$d3 << EOD
102714 1769507.89
124439808 99650.4755
EOD
$d4 << EOD
102714 1794659.31
124439808 168954.073
EOD
$d5 << EOD
102714 1934081.57
124439808 196936.333
EOD
$d6 << EOD
102714 97932.8945
124439808 3772.7912
EOD
$d7 << EOD
102714 140792.207
124439808 39465.7906
EOD
$d8 << EOD
102714 107392.546
124439808 25214.9169
EOD
$d9 << EOD
102714 102195.537
124439808 30773.1252
EOD
$d10 << EOD
102714 77872.661
124439808 40787.6433
EOD
$d11 << EOD
102714 83256.1967
124439808 44677.3715
EOD
$d12 << EOD
102714 124855.969
124439808 37262.3114
EOD
$d13 << EOD
102714 91543.7333
124439808 13539.1546
EOD
$d14 << EOD
102714 42462.6667
124439808 19895.7221
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu', \
     $d7 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=true]', \
     $d8 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=(unset)]', \
     $d9 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=true]', \
     $d10 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=(unset)]', \
     $d11 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d12 using 1:2 with linespoints title 'transformers-compile fp32 on cuda:0', \
     $d13 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d14 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
