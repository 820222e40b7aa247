set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s3.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_long (1x128)'
$d0 << EOD
102714 846779.123
124439808 4655.65531
EOD
$d1 << EOD
102714 314867.471
124439808 149498.425
EOD
$d2 << EOD
102714 916131.005
124439808 149031.898
EOD
$d3 << EOD
102714 1011264.72
124439808 72872.9267
EOD
$d4 << EOD
102714 541896.288
124439808 26166.977
EOD
$d5 << EOD
102714 832375.739
124439808 121759.847
EOD
$d6 << EOD
102714 136087.727
124439808 3231.40507
EOD
$d7 << EOD
102714 215577.244
124439808 57281.3786
EOD
$d8 << EOD
102714 213578.224
124439808 30925.1729
EOD
$d9 << EOD
102714 236384.497
124439808 36187.2649
EOD
$d10 << EOD
102714 128087.333
124439808 30265.6593
EOD
$d11 << EOD
102714 120789.568
124439808 45157.2762
EOD
$d12 << EOD
102714 133639.022
124439808 44552.5913
EOD
$d13 << EOD
102714 62836.3783
124439808 22722.9976
EOD
$d14 << EOD
102714 74701.5443
124439808 24845.4793
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
