set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s4.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, batch_short (4x32)'
$d0 << EOD
102714 82756.8091
124439808 790.011726
EOD
$d1 << EOD
102714 64409.8721
124439808 7091.90126
EOD
$d2 << EOD
102714 67952.9902
124439808 7206.85176
EOD
$d3 << EOD
102714 69897.7112
124439808 6023.54137
EOD
$d4 << EOD
102714 53722.9382
124439808 6787.36625
EOD
$d5 << EOD
102714 62948.8888
124439808 6557.27848
EOD
$d6 << EOD
102714 7658.55522
124439808 485.004695
EOD
$d7 << EOD
102714 6467.2364
124439808 3117.11621
EOD
$d8 << EOD
102714 3915.10731
124439808 836.738156
EOD
$d9 << EOD
102714 7965.7418
124439808 2334.0216
EOD
$d10 << EOD
102714 3101.29132
124439808 1025.6538
EOD
$d11 << EOD
102714 3802.51838
124439808 1045.74402
EOD
$d12 << EOD
102714 4517.70821
124439808 1259.76066
EOD
$d13 << EOD
102714 2739.34108
124439808 697.82586
EOD
$d14 << EOD
102714 2083.97727
124439808 798.519907
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
