set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s1.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, single_long (1x128)'
$d0 << EOD
102714 4013.05501
124439808 1038.76554
EOD
$d1 << EOD
102714 920.36102
124439808 346.65636
EOD
$d2 << EOD
102714 4269.71758
124439808 1005.48436
EOD
$d3 << EOD
102714 1672.52135
124439808 307.514459
EOD
plot $d0 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=true]', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=(unset)]', \
     $d2 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=true]', \
     $d3 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=(unset)]'
