set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s3.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, single_long (1x128)'
$d0 << EOD
102714 22008.4495
124439808 3276.8246
EOD
$d1 << EOD
102714 20333.3079
124439808 3308.73636
EOD
$d2 << EOD
102714 22908.2987
124439808 2910.37211
EOD
$d3 << EOD
102714 21057.2805
124439808 2979.33492
EOD
$d4 << EOD
102714 21834.2727
124439808 3665.61416
EOD
$d5 << EOD
102714 1072.81871
124439808 239.629783
EOD
$d6 << EOD
102714 1313.80161
124439808 482.366821
EOD
$d7 << EOD
102714 686.748443
124439808 171.332319
EOD
$d8 << EOD
102714 626.032561
124439808 203.861015
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
