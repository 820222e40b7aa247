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
102714 979668.084
124439808 5558.89677
EOD
$d1 << EOD
102714 524516.224
124439808 169248.699
EOD
$d2 << EOD
102714 821752.804
124439808 169757.564
EOD
$d3 << EOD
102714 989584.178
124439808 79111.5888
EOD
$d4 << EOD
102714 979688.986
124439808 27385.9567
EOD
$d5 << EOD
102714 924512.318
124439808 127385.086
EOD
$d6 << EOD
102714 121582.986
124439808 3886.90495
EOD
$d7 << EOD
102714 138408.362
124439808 49440.7579
EOD
$d8 << EOD
102714 106824.776
124439808 25482.7658
EOD
$d9 << EOD
102714 149276.614
124439808 29513.3496
EOD
$d10 << EOD
102714 85013.0599
124439808 31660.2403
EOD
$d11 << EOD
102714 113172.612
124439808 26683.9369
EOD
$d12 << EOD
102714 108970.972
124439808 43641.741
EOD
$d13 << EOD
102714 82485.9765
124439808 22998.1116
EOD
$d14 << EOD
102714 41750.8249
124439808 25103.1279
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
