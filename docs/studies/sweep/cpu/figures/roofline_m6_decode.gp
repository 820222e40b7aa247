set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m6_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-large: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 1.56507159 1.4825769 1.64756629
0.97 1.12344256 1.09767021 1.14921491
1.97 2.0495079 1.93612726 2.16288854
EOD
$d1 << EOD
0.03 1.71056107 1.645404 1.77571813
1.03 2.57937686 1.95765821 3.2010955
2.03 2.02618296 1.98344412 2.0689218
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
