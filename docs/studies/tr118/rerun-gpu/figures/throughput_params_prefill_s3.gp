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
102714 1103492.88
124439808 129853.252
EOD
$d1 << EOD
102714 493310.257
124439808 141866.861
EOD
$d2 << EOD
102714 852663.596
124439808 71151.7422
EOD
$d3 << EOD
102714 908143.088
124439808 25082.9897
EOD
$d4 << EOD
102714 759411.598
124439808 119053.204
EOD
$d5 << EOD
102714 188050.918
124439808 21741.3552
EOD
$d6 << EOD
102714 141867.086
124439808 49564.7843
EOD
$d7 << EOD
102714 39624.8449
124439808 11261.2632
EOD
$d8 << EOD
102714 69563.4874
124439808 25841.144
EOD
plot $d0 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d1 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0', \
     $d7 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d8 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
